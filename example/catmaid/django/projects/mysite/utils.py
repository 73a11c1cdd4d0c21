# -*- coding: utf-8 -*-

# The release this tree stands for.
BASE_VERSION = '2021.12.21'
