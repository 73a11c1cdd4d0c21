# -*- coding: utf-8 -*-
from django.views.generic import TemplateView


class CatmaidView(TemplateView):
    """Renders a page of the web client."""
