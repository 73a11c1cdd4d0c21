# -*- coding: utf-8 -*-
from django.http import HttpResponse, JsonResponse

from rest_framework.decorators import api_view
from rest_framework.response import Response
from rest_framework.views import APIView

from catmaid.control.common import get_request_bool, requires_user_role


@api_view(['GET'])
@requires_user_role(['browse'])
def list_skeletons(request, project_id):
    """List skeletons matching filtering criteria.
    ---
    parameters:
      - name: created_by
        description: Filter for user ID of the skeletons' creator.
        type: integer
        paramType: query
      - name: nodecount_gt
        description: Only skeletons with more nodes than this.
        type: integer
        paramType: query
    type:
      - type: array
        items:
          type: integer
        required: true
    """
    created_by = request.GET.get('created_by', None)
    return JsonResponse([], safe=False)


@requires_user_role(['browse'])
def cable_length(request, project_id=None, skeleton_id=None):
    return JsonResponse({'cable_length': 0.0})


@requires_user_role(['browse'])
def skeleton_swc(request, project_id=None, skeleton_id=None):
    return HttpResponse('', content_type='text/plain')


@requires_user_role(['annotate'])
def split_skeleton(request, project_id=None):
    treenode_id = int(request.POST['treenode_id'])
    upstream_annotations = request.POST.get('upstream_annotation_map')
    return JsonResponse({'new_skeleton_id': 0, 'existing_skeleton_id': 0})


@requires_user_role(['browse'])
def summaries(request, project_id=None, skeleton_ids=None):
    with_nodes = get_request_bool(request.GET, 'with_nodes', False)
    return JsonResponse({})


class SkeletonIdDetails(APIView):

    @requires_user_role(['browse'])
    def get(self, request, project_id, skeleton_id):
        """Get the ID of a skeleton."""
        return Response({'skeleton_id': int(skeleton_id)})

    @requires_user_role(['annotate'])
    def post(self, request, project_id, skeleton_id):
        """Change the ID of a skeleton.
        ---
        parameters:
          - name: new_id
            type: integer
            paramType: form
            required: true
        """
        new_id = int(request.POST['new_id'])
        return Response({'skeleton_id': new_id})
