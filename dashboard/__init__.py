"""tracklens dashboard: the Streamlit app and the figure/overlay builders it uses."""
