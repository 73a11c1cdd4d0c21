# -*- coding: utf-8 -*-
from django.http import JsonResponse

from catmaid.control.common import requires_user_role


@requires_user_role(['annotate'])
def create_treenode(request, project_id=None):
    x = float(request.POST['x'])
    y = float(request.POST['y'])
    z = float(request.POST['z'])
    radius = float(request.POST.get('radius', -1))
    parent_id = int(request.POST.get('parent_id', -1))
    return JsonResponse({'treenode_id': 0, 'skeleton_id': 0})


@requires_user_role(['browse'])
def treenode_info(request, project_id=None, treenode_id=None):
    return JsonResponse({})


@requires_user_role(['annotate'])
def update_confidence(request, project_id=None, treenode_id=None):
    new_confidence = int(request.POST.get('new_confidence', 0))
    return JsonResponse({'message': 'success'})


@requires_user_role(['browse'])
def node_list_tuples(request, project_id=None):
    """Retrieve all nodes intersecting a bounding box.
    ---
    parameters:
      - name: left
        type: number
        paramType: form
        required: true
      - name: top
        type: number
        paramType: form
        required: true
      - name: z1
        type: number
        paramType: form
        required: true
    """
    return JsonResponse([[], [], {}, False, []], safe=False)
