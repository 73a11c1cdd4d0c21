# -*- coding: utf-8 -*-
from django.http import JsonResponse

from rest_framework.decorators import api_view

from catmaid.control.common import get_request_list, requires_user_role


@api_view(['GET', 'POST'])
@requires_user_role(['browse'])
def list_annotations(request, project_id=None):
    """List annotations matching filtering criteria that are currently in use.
    ---
    parameters:
      - name: annotations
        description: A list of annotation IDs; only annotations linked to all of them are returned
        type: array
        items:
          type: integer
        paramType: form
        required: false
      - name: with_annotations
        description: Whether to include annotations of annotations
        type: boolean
        paramType: form
        required: false
    """
    annotations = get_request_list(request.POST, 'annotations', [], map_fn=int)
    return JsonResponse({'annotations': []})


@requires_user_role(['annotate'])
def annotate_entities(request, project_id=None):
    entity_ids = get_request_list(request.POST, 'entity_ids', [], map_fn=int)
    annotations = get_request_list(request.POST, 'annotations', [])
    return JsonResponse({'annotations': annotations})


@requires_user_role(['annotate'])
def remove_annotation(request, project_id=None, annotation_id=None):
    entity_ids = get_request_list(request.POST, 'entity_ids', [], map_fn=int)
    return JsonResponse({'deleted_links': []})
