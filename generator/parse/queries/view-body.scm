; What a function's body does with its request and with the values it was handed, found anywhere
; in the body, in one pass. The readers (generator/parse/request-reads.ts and its neighbours)
; decide with code which of these really touch the request: a `@read.dict` must be a request
; dictionary (`request.GET`/`.POST`/`.data`/`.query_params`/…), an alias of one, or a parameter
; the function was handed one in.

; request.POST.get('k', default), request.GET.getlist('k'), request.data.get('k')
(call
  function: (attribute
    object: [(attribute) (identifier)] @read.dict
    attribute: (identifier) @read.accessor)
  arguments: (argument_list . [(string) (identifier)] @read.key)) @read.call

; request.POST['k'], and request.POST[name] for name in ('a', 'b')
(subscript
  value: [(attribute) (identifier)] @read.dict
  subscript: [(string) (identifier)] @read.key) @read.subscript

; 'k' in request.POST
(comparison_operator (string) [(attribute) (identifier)]) @comparison
; request.method == 'POST', request.method in ('GET', 'POST')
(comparison_operator (attribute attribute: (identifier)) [(string) (tuple) (list) (set)]) @comparison

; Calls that may hand on the request or one of its dictionaries: get_request_list(request.POST,
; 'k'), helper(request, …), module.helper(project_id, request.POST), f(*args, **kwargs). Which
; arguments carry a request value is decided by the reader.
(call
  function: [(identifier) (attribute)]
  arguments: (argument_list [(identifier) (attribute) (list_splat) (dictionary_splat) (keyword_argument)])) @call

; for k, v in request.POST.items(), for key in params, [v for k, v in d.items() if …]: every key
; of the dictionary is read, unless the loop matches keys by prefix (see @prefix)
(for_statement
  right: [(call function: (attribute object: [(attribute) (identifier)] @all.dict)) (attribute) (identifier)] @all.iterable) @all
(for_in_clause
  right: [(call function: (attribute object: [(attribute) (identifier)] @all.dict)) (attribute) (identifier)] @all.iterable) @all

; k.startswith('sources['), k.startswith(('a', 'b')): keys matched by prefix in such a loop
(call
  function: (attribute
    object: (identifier) @prefix.var
    attribute: (identifier) @prefix.method
    (#eq? @prefix.method "startswith"))
  arguments: (argument_list . [(string) (tuple)] @prefix.arg)) @prefix

; data = request.POST, data = request.POST if … else request.GET, data = request.POST.copy()
(assignment
  left: (identifier) @alias.name
  right: [
    (attribute object: (identifier) attribute: (identifier))
    (identifier)
    (conditional_expression)
    (call function: (attribute object: [(identifier) (attribute object: (identifier) attribute: (identifier))]))
    (call function: (identifier) arguments: (argument_list . [(identifier) (attribute object: (identifier) attribute: (identifier))]))
  ] @alias.value) @alias

; return JsonResponse(…), return helper(*args, **kwargs)
(return_statement (call)) @return
; response = HttpResponse(…); …; return response
(return_statement (identifier) @return.name) @return.variable

; if not x: raise …, if x is None: raise …, if None in (x, y): raise …, if not all((x, y)): raise …:
; the function fails without what x was read from (the reader interprets the condition)
(if_statement
  condition: (_) @guard.condition
  consequence: (block (raise_statement))) @guard

; What changes data. Model and queryset writes: obj.save(), qs.delete(), Model.objects.create(…),
; qs.update(…), get_or_create, a related manager's add/remove/set/clear (the reader checks receivers)
(call
  function: (attribute
    object: (_) @write.object
    attribute: (identifier) @write.method
    (#any-of? @write.method "save" "delete" "create" "bulk_create" "bulk_update" "get_or_create" "update_or_create" "update" "add" "remove" "set" "clear"))
  arguments: (argument_list) @write.args) @write

; Helpers named for a write: update_group_memberships(…), delete_projects(…), assign_perm(…);
; not the builtin set(), not helpers that build a value (create_annotation_query, create_roi_path)
(call
  function: (identifier) @write.function
  (#match? @write.function "^_?(add|assign|clear|create|delete|insert|remove|rename|reset|save|set|store|update|upload|write)_")
  (#not-match? @write.function "_(query|path|url|name|string)$")) @write.helper

; open(path, 'w'), h5py.File(path, 'a'): a file opened for writing (the reader checks the mode)
(call
  function: [(identifier) (attribute)] @write.opener
  (#match? @write.opener "(^|\\.)(open|File)$")
  arguments: (argument_list . (_) . (string) @write.mode)) @write.file

; Django's auth login()/logout(), allauth's adapter.login()/logout(): the session changes
(call
  function: [(identifier) (attribute attribute: (identifier))] @write.session
  (#match? @write.session "(^|\\.)(login|logout)$")) @write.auth

; task.delay(…), task.apply_async(…): work queued for Celery, which changes data when it runs
(call
  function: (attribute
    attribute: (identifier) @write.task
    (#any-of? @write.task "delay" "apply_async"))) @write.queue

; SQL that changes tables
(string
  (string_content) @write.sql
  (#match? @write.sql "INSERT\\s+INTO|UPDATE\\s+[A-Za-z_.]+\\s+SET|DELETE\\s+FROM|TRUNCATE\\s")) @write.string
