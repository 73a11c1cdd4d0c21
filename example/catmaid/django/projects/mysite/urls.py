# -*- coding: utf-8 -*-

import re

from django.conf import settings
from django.conf.urls import include, url
from django.contrib import admin
from django.views.static import serve

from catmaid.control.authentication import ObtainAuthToken

from rest_framework_swagger.views import get_swagger_view


schema_view = get_swagger_view(title='CATMAID API')

# CATMAID
urlpatterns = [
    url(r'^', include('catmaid.urls')),
    url(r'^accounts/', include('allauth.urls')),
]

# CATMAID extensions
urlpatterns += [
    url(r'^ext/{}/'.format(extension), include('{}.urls'.format(extension)))
    for extension in settings.INSTALLED_EXTENSIONS
]

# Admin site
urlpatterns += [
    url(r'^admin/', admin.site.urls)
]

# API documentation and tokens
urlpatterns += [
    url(r'^apis/', schema_view),
    url(r'^api-token-auth/', ObtainAuthToken.as_view()),
]

# Static files, served by Django only when asked to
if settings.DEBUG or settings.SERVE_STATIC:
    def serve_static(prefix, root):
        return url(r'^%s(?P<path>.*)$' % re.escape(prefix), serve,
                kwargs={'document_root': root})

    urlpatterns += [
        serve_static('static/', settings.STATIC_ROOT),
    ]
