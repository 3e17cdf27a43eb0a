"""Former home of the request-parsing helpers, kept because services import it by this name.

``json_body`` lives in ``core/requests.py``; ``query_flag`` and ``parse_int`` in ``core/query_params.py``.
"""

from .query_params import parse_int, query_flag
from .requests import json_body

__all__ = ["json_body", "parse_int", "query_flag"]
