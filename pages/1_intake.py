"""名单校验与上传 Intake: download the template, upload a sheet, see and fix findings, store it."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from campaign.errors import IngestError, RemovalNeedsConfirmation
from campaign.findings import CODES
from campaign.masking import mask_id, mask_phone
from campaign.reports.markup import markup_bytes
from campaign.reports.template import template_bytes
from campaign.sheets import Limits
from campaign.sheets.isolated import read_workbook_isolated
from campaign.timeutil import now_utc, utc_to_local
from campaign.validate import Config, validate_workbook
from data_access.actions.submit import latest_submission
from data_access.db import read_session, write_session
from data_access.models import Campaign
from data_access.uploads import (
    current_files,
    find_upload,
    lookup_for_sheet,
    sha256_hex,
    store_upload,
    unit_card_name,
    withdraw_upload,
)
from ui import components, downloads, loaders
from ui.actions import perform
from ui.corrections_view import show_open_failures
from ui.frame import busy_guard, page_frame
from ui.safe_text import md

LIMITS = Limits()
LIMIT_MB = LIMITS.max_bytes // 2**20
# Streamlit refuses bigger files in the browser with its own English message: let files up
# to this size reach the server, where the app refuses anything over LIMIT_MB in Chinese.
WIDGET_MAX_MB = 200
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

ctx = page_frame("intake")
t = ctx.t
st.title(t("nav.intake"))
st.caption(t("intake.caption"))
if ctx.unit_id is None:
    st.info(t("intake.pick_unit"), icon=":material/apartment:")
    st.stop()
unit_id = ctx.unit_id
with read_session(ctx.engine) as session:
    card_name = unit_card_name(session, unit_id) or ""
    campaign = session.get(Campaign, ctx.campaign_id)
    rules = campaign.retirement_rules if campaign else "2014"
    phone_severity = campaign.shared_phone_severity if campaign else "warning"
    reference = campaign.reference_date if campaign else ctx.as_of

st.markdown(t("intake.card_unit", name=md(card_name) if card_name else "—"))
downloads.button(
    t("intake.template"),
    lambda: (template_bytes(card_name, ctx.lang), 0),
    user=ctx.user, scope=ctx.scope, lang=ctx.lang, detail=f"template unit={unit_id}",
    file_name="申报会员服务卡个人信息采集表.xlsx", mime=XLSX, key="dl_template",
)

with read_session(ctx.engine) as session:
    files = current_files(session, ctx.campaign_id, unit_id)
    latest = latest_submission(session, ctx.campaign_id, unit_id)
    submission = None if latest is None else (latest.outcome, latest.return_reason, latest.submitted_at)
if submission is not None:  # where the list stands after submission, and why it came back
    outcome, reason, submitted_at = submission
    if outcome == "returned":
        st.error(t("intake.returned", reason=md(reason or "—")), icon=":material/assignment_return:")
    else:
        st.info(t(f"intake.submitted_{outcome}", at=f"{utc_to_local(submitted_at):%Y-%m-%d %H:%M}"), icon=":material/send:")
    st.page_link("pages/7_submit.py", label=t("nav.submit"), icon=":material/send:", query_params=ctx.link_params or None)
show_open_failures(ctx)
st.subheader(t("intake.current_list"))
if not files:
    st.caption(t("intake.no_current_list"))
else:
    st.caption(t("intake.current_total", files=len(files), members=sum(int(f["members"]) for f in files)))
    for file in files:
        left, right = st.columns([5, 1], vertical_alignment="center")
        left.markdown(
            t(
                "intake.current_file", part=md(str(file["part"])) or t("intake.whole_unit"), file=md(str(file["file_name"])),
                members=file["members"], at=f"{utc_to_local(file['uploaded_at']):%Y-%m-%d %H:%M}",
                by=md(str(file["uploaded_by"] or "—")),
            )
        )
        if right.button(t("intake.withdraw"), key=f"withdraw:{file['upload_id']}", icon=":material/undo:"):
            gone = perform(ctx, withdraw_upload, int(file["upload_id"]))  # type: ignore[arg-type]
            if gone is not None:
                st.session_state["intake_notice"] = t("intake.withdrawn", file=str(file["file_name"]), members=gone)
                st.rerun()
if notice := st.session_state.pop("intake_notice", None):
    st.success(notice, icon=":material/check_circle:")

st.subheader(t("intake.new_file"))
part = st.text_input(t("intake.part"), key="intake_part", max_chars=100, help=t("intake.part_help")).strip()
upload = st.file_uploader(
    t("intake.upload"), type=["xlsx", "xls", "csv"], key="intake_file", max_upload_size=WIDGET_MAX_MB,
    help=t("intake.size_hint", limit=LIMIT_MB, rows=f"{LIMITS.max_rows:,}"),
)
st.caption(t("intake.size_hint", limit=LIMIT_MB, rows=f"{LIMITS.max_rows:,}"))
if upload is None:
    st.stop()
content = upload.getvalue()
digest = sha256_hex(content)
cache_key = f"intake:{unit_id}:{part}:{digest}:{ctx.lang}"
if cache_key not in st.session_state:
    refused: IngestError | None = None
    with st.status(t("intake.checking"), expanded=False) as status:
        try:
            workbook = read_workbook_isolated(content, upload.name, LIMITS)  # in a limited worker process
        except IngestError as error:
            status.update(label=t("intake.refused"), state="error")
            refused = error
    if refused is not None:  # the reason in plain sight, not inside the collapsed status box
        st.error(refused.message(ctx.lang), icon=":material/block:")
        st.stop()
    with read_session(ctx.engine) as session:
        config = Config(
            as_of=reference, retirement_rules=rules, shared_phone_severity=phone_severity,
            expected_unit_name=card_name or None,
            lookup_ids=lookup_for_sheet(session, ctx.campaign_id, unit_id, ctx.scope, part),
        )
        checked = validate_workbook(workbook, config)
    st.session_state[cache_key] = checked
    if not checked.is_clean:  # every upload is kept: the attempt and its findings, not its rows
        with busy_guard(ctx.lang), write_session(ctx.engine) as session:
            store_upload(
                session, campaign_id=ctx.campaign_id, unit_id=unit_id, file_name=upload.name,
                content_bytes=content, result=checked, uploaded_by=ctx.user.login, now=now_utc(),
                scope=ctx.scope, part=part,
            )
        loaders.clear()
    downloads.log_file_read(
        ctx.user.login, upload.name, checked.summary()["rows"],
        f"checked unit={unit_id} errors={checked.error_count} warnings={checked.warning_count}",
    )
    status.update(label=t("intake.checked"), state="complete")
result = st.session_state[cache_key]
summary = result.summary()

cols = st.columns(4)
cols[0].metric(t("intake.rows"), f"{summary['rows']:,}")
cols[1].metric(t("intake.errors"), f"{summary['errors']:,}")
cols[2].metric(t("intake.warnings"), f"{summary['warnings']:,}")
cols[3].metric(t("intake.clean_rows"), f"{summary['clean_rows']:,}")


def _masked(code: str, value: str | None) -> str:
    kind = CODES[code].column
    if kind == "id":
        return mask_id(value)
    if kind == "phone":
        return mask_phone(value)
    return value or ""


if result.findings:
    table = pd.DataFrame(
        {
            t("intake.col_sheet"): [f.sheet for f in result.findings],
            t("intake.col_row"): [f.row for f in result.findings],
            t("intake.col_column"): [f.column or "" for f in result.findings],
            t("intake.col_severity"): [t(f"report.severity_{f.severity}") for f in result.findings],
            t("intake.col_message"): [f.text(ctx.lang) for f in result.findings],
            t("intake.col_fix"): [f.fix(ctx.lang) for f in result.findings],
            t("intake.col_value"): [_masked(f.code, f.value_shown) for f in result.findings],
        }
    )
    # The problem and its fix first and wide; on a phone one card per finding, nothing cut off.
    first = [t("intake.col_row"), t("intake.col_column"), t("intake.col_message"), t("intake.col_fix")]
    table = table[[*first, *(c for c in table.columns if c not in first)]]
    components.responsive_table(
        table, key="findings", title=[t("intake.col_row"), t("intake.col_column")],
        fields=[t("intake.col_message"), t("intake.col_fix"), t("intake.col_severity"), t("intake.col_value"), t("intake.col_sheet")],
        column_config={
            t("intake.col_row"): st.column_config.NumberColumn(width="small", pinned=True),
            t("intake.col_message"): st.column_config.TextColumn(width="large"),
            t("intake.col_fix"): st.column_config.TextColumn(width="large"),
        },
        more_text=t("cards.more", shown=components.MAX_CARDS, total=len(table)),
        hide_index=True, placeholder="—", width="stretch",
    )

markup_name = downloads.export_name(t("intake.markup_suffix"), card_name or upload.name.rsplit(".", 1)[0], ctx.as_of, "xlsx")
downloads.button(
    t("intake.download_markup"),
    lambda: (markup_bytes(result, ctx.lang), summary["rows"]),
    user=ctx.user, scope=ctx.scope, lang=ctx.lang, detail=f"marked-up sheet unit={unit_id}",
    file_name=markup_name, mime=XLSX, key="dl_markup",
)

if not result.is_clean:
    conflict = st.session_state.get(f"intake_conflict:{cache_key}")
    if conflict is not None:
        st.error(t("intake.conflict_on_store", errors=conflict), icon=":material/block:")
    else:
        st.warning(t("intake.has_errors", errors=summary["errors"]))
    for finding in result.findings:
        if finding.row is None and finding.severity == "error":  # about the whole file, say it plainly
            st.error(f"{finding.text(ctx.lang)}。{finding.fix(ctx.lang)}", icon=":material/block:")
    st.stop()
st.success(t("intake.clean"))
with read_session(ctx.engine) as session:
    previous = find_upload(session, unit_id, digest)
    previous_attempt = previous.attempt if previous is not None else None
if previous_attempt is not None:
    if not st.session_state.get(f"intake_stored:{cache_key}"):  # just stored: the notice above says so
        st.info(t("intake.recognised", attempt=previous_attempt))
    st.stop()
removal_key = f"intake_removal:{cache_key}"
pending_removal = st.session_state.get(removal_key)
confirmed = False
if pending_removal is not None:
    st.warning(pending_removal.message(ctx.lang), icon=":material/warning:")
    confirmed = st.checkbox(t("intake.confirm_removal", removed=pending_removal.fields["removed"]), key=f"confirm:{cache_key}")
if st.button(t("intake.store"), type="primary", disabled=pending_removal is not None and not confirmed):
    try:
        with busy_guard(ctx.lang), write_session(ctx.engine) as session:
            stored = store_upload(
                session, campaign_id=ctx.campaign_id, unit_id=unit_id, file_name=upload.name,
                content_bytes=content, result=result, uploaded_by=ctx.user.login, now=now_utc(),
                scope=ctx.scope, confirm_removal=confirmed, part=part,
            )
    except RemovalNeedsConfirmation as needs:
        st.session_state[removal_key] = needs
        st.rerun()
    st.session_state.pop(removal_key, None)
    if stored.conflicted and stored.result is not None:
        st.session_state[cache_key] = stored.result  # show the findings found while storing
        st.session_state[f"intake_conflict:{cache_key}"] = stored.result.error_count
        st.rerun()
    loaders.clear()
    st.session_state[f"intake_stored:{cache_key}"] = True
    key = "intake.recognised" if stored.recognised else "intake.stored"
    st.session_state["intake_notice"] = t(key, attempt=stored.attempt, members=stored.members_stored)
    st.rerun()
