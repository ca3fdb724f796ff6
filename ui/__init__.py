"""Reusable Streamlit components of the dashboard; pages/ compose them.

Every component reads and writes through `core.service.IntegrationService`
(obtained from `ui.context.service()`), never a store or an adapter.
"""
