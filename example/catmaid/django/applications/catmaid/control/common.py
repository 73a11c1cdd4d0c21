# -*- coding: utf-8 -*-
import json


def get_request_bool(request_dict, name, default=None):
    value = request_dict.get(name)
    if value is None:
        return default
    return value in ('true', 'True', '1')


def get_request_list(request_dict, name, default=None, map_fn=None):
    values = [v for k, v in request_dict.items() if k.startswith(name + '[')]
    if not values:
        return default
    return [map_fn(v) for v in values] if map_fn else values


def requires_user_role(roles):
    def decorator(f):
        return f
    return decorator
