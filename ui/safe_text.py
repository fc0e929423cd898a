"""User-supplied text (unit names, contact names, notes, file names, reasons) made inert before
it reaches anything that renders markdown or HTML.

``st.markdown``, ``st.caption``, the bodies of ``st.info`` and its siblings, and the labels of
expanders, tabs, metrics and page links all render (a subset of) markdown: a chase note holding
``![x](http://host/x.png)`` would make every viewer's browser fetch that URL, and
``[click](http://evil)`` would become a live link. Plotly renders ``<a>``, ``<b>``, ``<br>`` and
friends in labels, hover text and annotations. Escape with ``md`` for the first and
``plot_label`` for the second; catalogue templates stay as they are, only the fields put into
them are escaped. ``st.dataframe`` cells and ``selectbox`` options are plain text already.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable

# Every ASCII punctuation character may be backslash-escaped in CommonMark; escaping all of
# them also defuses GFM extensions (tables, strikethrough, autolinks), Streamlit's
# ``:colour[...]`` directives and ``$`` maths.
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~=$:&\"'%/;?@^,])")
_LINE_BREAKS = re.compile(r"[\r\n\u2028\u2029\x0b\x0c]+")


def _text(value: object) -> str:
    if value is None:
        return ""
    try:
        if value != value:  # NaN (pandas missing values)
            return ""
    except (TypeError, ValueError):
        pass
    return str(value)


def md(value: object) -> str:
    r"""Text shown literally wherever Streamlit renders markdown (one line, nothing live).

    >>> print(md("![x](http://127.0.0.1:9/x.png)"))
    \!\[x\]\(http\:\/\/127\.0\.0\.1\:9\/x\.png\)
    >>> print(md("**粗体**<b>x</b>"))
    \*\*粗体\*\*\<b\>x\<\/b\>
    >>> md("第一行\n# 第二行") == "第一行 \\# 第二行", md(None), md(float("nan"))
    (True, '', '')
    """
    return _MD_SPECIAL.sub(r"\\\1", _LINE_BREAKS.sub(" ", _text(value)))


def plot_label(value: object) -> str:
    """Text shown literally in a plotly label, tick, hover or annotation.

    >>> plot_label("**粗体**<b>x</b><br><a href='http://evil'>y</a>")
    '**粗体**&lt;b&gt;x&lt;/b&gt;&lt;br&gt;&lt;a href=&#x27;http://evil&#x27;&gt;y&lt;/a&gt;'
    """
    return html.escape(_LINE_BREAKS.sub(" ", _text(value)))


def plot_labels(values: Iterable[object]) -> list[str]:
    """``plot_label`` of each value (for a trace's x, y, text or customdata)."""
    return [plot_label(value) for value in values]
