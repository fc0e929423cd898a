"""The only Streamlit code outside the pages: frame, cached loaders, components."""

from campaign import logsafe

logsafe.install()  # no log line of the app server holds a full ID number or phone
