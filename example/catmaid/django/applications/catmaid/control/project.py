# -*- coding: utf-8 -*-
from django.http import JsonResponse

from rest_framework.decorators import api_view
from rest_framework.response import Response
from rest_framework.views import APIView

from catmaid.control.common import get_request_bool


@api_view(['GET'])
def projects(request):
    """List projects visible to the requesting user.
    ---
    parameters:
      - name: has_tracing_data
        description: Return only projects that have tracing data
        type: boolean
        defaultValue: false
        required: false
        paramType: query
      - name: with_mirrors
        description: Include the stack mirrors of each project
        type: boolean
        required: false
        paramType: query
    models:
      project_api_stack_element:
        id: project_api_stack_element
        properties:
          id:
            type: integer
            required: true
          title:
            type: string
            required: true
    type:
      - type: array
        items:
          $ref: project_api_stack_element
        required: true
    """
    has_tracing_data = get_request_bool(request.GET, 'has_tracing_data', False)
    return JsonResponse([], safe=False)


class ProjectDetail(APIView):

    def get(self, request, project_id):
        """Get the details of a project."""
        return Response({})

    def delete(self, request, project_id):
        """Delete a project and all its data."""
        return Response({'deleted': True})
