# -*- coding: utf-8 -*-
from django.http import JsonResponse

from rest_framework.decorators import api_view

from catmaid.control.common import requires_user_role


@api_view(['GET'])
@requires_user_role(['browse'])
def stacks(request, project_id=None):
    """Get a list of all stacks of a project.
    ---
    type:
      - type: array
        required: true
    """
    return JsonResponse([], safe=False)


@requires_user_role(['browse'])
def stack_info(request, project_id=None, stack_id=None):
    return JsonResponse({})
