# -*- coding: utf-8 -*-

from django.conf import settings
from django.conf.urls import url
from django.contrib.auth.decorators import login_required
from django.urls import path
from django.views.decorators.csrf import ensure_csrf_cookie

from rest_framework.decorators import api_view

from catmaid.control import (annotation, authentication, project, skeleton,
        stack, treenode)
from catmaid.history import record_request_action as record_view
from catmaid.views import CatmaidView

# A regular expression matching floating point and integer numbers
num = r'[-+]?[0-9]*\.?[0-9]+'
integer = r'[-+]?[0-9]+'
# A regular expression matching lists of integers with comma as delimiter
intlist = r'[0-9]+(,[0-9]+)*'

app_name = 'catmaid'

# The web client
urlpatterns = [
    url(r'^$', ensure_csrf_cookie(CatmaidView.as_view(template_name='catmaid/index.html')), name="home"),
]

# Authentication and permissions
urlpatterns += [
    url(r'^accounts/login$', authentication.login_user),
    url(r'^accounts/logout$', authentication.logout_user),
    url(r'^permissions$', authentication.user_project_permissions),
    path('activate/<uidb64>/<token>/', authentication.activate, name='activate'),
]

# Projects and stacks
urlpatterns += [
    url(r'^projects/$', project.projects),
    url(r'^(?P<project_id>\d+)/$', project.ProjectDetail.as_view()),
    url(r'^(?P<project_id>\d+)/stacks$', stack.stacks),
    url(r'^(?P<project_id>\d+)/stack/(?P<stack_id>\d+)/info$', stack.stack_info),
]

# Annotations
urlpatterns += [
    url(r'^(?P<project_id>\d+)/annotations/$', annotation.list_annotations),
    url(r'^(?P<project_id>\d+)/annotations/add$', record_view("annotations.add")(annotation.annotate_entities)),
    url(r'^(?P<project_id>\d+)/annotations/(?P<annotation_id>\d+)/remove$', record_view("annotations.remove")(annotation.remove_annotation)),
]

# Treenodes and nodes
urlpatterns += [
    url(r'^(?P<project_id>\d+)/treenode/create$', record_view("treenodes.create")(treenode.create_treenode)),
    url(r'^(?P<project_id>\d+)/treenodes/(?P<treenode_id>\d+)/info$', treenode.treenode_info),
    url(r'^(?P<project_id>\d+)/treenodes/(?P<treenode_id>\d+)/confidence$', record_view("treenodes.update_confidence")(treenode.update_confidence)),
    url(r'^(?P<project_id>\d+)/nodes/$', api_view(['POST'])(treenode.node_list_tuples)),
]

# Skeletons
urlpatterns += [
    url(r'^(?P<project_id>\d+)/skeletons/$', skeleton.list_skeletons),
    url(r'^(?P<project_id>\d+)/skeletons/(?P<skeleton_id>\d+)/cable-length$', skeleton.cable_length),
    url(r'^(?P<project_id>\d+)/skeleton/(?P<skeleton_id>\d+)/swc$', skeleton.skeleton_swc),
    url(r'^(?P<project_id>\d+)/skeleton/split$', record_view("skeletons.split")(skeleton.split_skeleton)),
    url(rf'^(?P<project_id>{integer})/skeletons/(?P<skeleton_ids>{intlist})/summary$', skeleton.summaries),
    url(r'^(?P<project_id>\d+)/skeletons/(?P<skeleton_id>\d+)/id$', record_view('skeletons.update_id')(skeleton.SkeletonIdDetails.as_view())),
]

# Front-end tests, disabled by default
if settings.FRONT_END_TESTS_ENABLED:
    urlpatterns += [
        url(r'^tests$', login_required(CatmaidView.as_view(template_name="catmaid/tests.html")), name="frontend_tests"),
    ]
