# -*- coding: utf-8 -*-
from django.contrib.auth import authenticate, login, logout
from django.http import HttpResponse, JsonResponse

from rest_framework.authtoken import views as auth_views
from rest_framework.decorators import api_view


class ObtainAuthToken(auth_views.ObtainAuthToken):
    """Exchange a user name and password for an API token.
    ---
    parameters:
      - name: username
        description: The user's name
        type: string
        required: true
        paramType: form
      - name: password
        type: string
        required: true
        paramType: form
    """


def login_user(request):
    name = request.POST.get('name', None)
    pwd = request.POST.get('pwd', None)
    user = authenticate(username=name, password=pwd)
    if user is not None:
        login(request, user)
    return JsonResponse({'id': user.id if user else None})


def logout_user(request):
    logout(request)
    return JsonResponse({'success': True})


@api_view(['GET'])
def user_project_permissions(request):
    """List the permissions of the requesting user in every project.
    ---
    type:
      permissions:
        type: object
        required: true
    """
    return JsonResponse({})


def activate(request, uidb64, token):
    return HttpResponse('Your account is active.')
