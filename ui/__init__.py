"""The only Streamlit code outside the pages: frame, cached loaders, components."""
