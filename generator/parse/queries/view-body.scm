; What a view function's body reads from its request, found anywhere in the body. The reader
; (generator/parse/view.ts) decides with code which of these really touch the request: the
; `@read.dict` expression must be `request.GET`/`.POST`/`.data`/`.query_params`/… or an alias.

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

; get_request_list(request.POST, 'k', ...), helper(request, ...), helper(request.POST)
(call
  function: (identifier)
  arguments: (argument_list . [(identifier) (attribute object: (identifier) attribute: (identifier))])) @call

; for k, v in request.POST.items(): every key is read, none can be named
(for_statement
  right: (call function: (attribute object: [(attribute) (identifier)] @all.dict))) @all
(for_in_clause
  right: (call function: (attribute object: [(attribute) (identifier)] @all.dict))) @all

; data = request.POST, data = request.POST if … else request.GET, data = request.POST.copy()
(assignment
  left: (identifier) @alias.name
  right: [
    (attribute object: (identifier) attribute: (identifier))
    (conditional_expression)
    (call function: (attribute object: (attribute object: (identifier) attribute: (identifier))))
    (call function: (identifier) arguments: (argument_list . (attribute object: (identifier) attribute: (identifier))))
  ] @alias.value) @alias

; return JsonResponse(…)
(return_statement (call)) @return

; if not x: raise …, if x is None: raise …: the view fails without what x was read from
(if_statement
  condition: [
    (not_operator argument: (identifier) @guard.name)
    (comparison_operator . (identifier) @guard.name . (none))
  ] @guard.condition
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

; SQL that changes tables
(string
  (string_content) @write.sql
  (#match? @write.sql "INSERT\\s+INTO|UPDATE\\s+[A-Za-z_.]+\\s+SET|DELETE\\s+FROM|TRUNCATE\\s")) @write.string
