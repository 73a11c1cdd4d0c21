; What a function's body does with its request and with the values it was handed, found anywhere
; in the body, in one pass. The readers (generator/parse/function-facts.ts and its neighbours)
; decide with code what each match is: a `request.POST.get('k')` read, a call handing the request
; on, a model `.save()`, a key matched by prefix…
;
; No pattern has a text predicate: node-tree-sitter applies those in JavaScript after every
; candidate has crossed over from the native side, which costs more than telling calls apart by
; their names in the reader. Every call is one of the two call patterns.

; Method calls: request.POST.get('k', 0), request.GET.getlist('k'), k.startswith('sources['),
; obj.save(), Model.objects.create(…), task.delay(…), adapter.logout(request), h5py.File(p, 'a'),
; module.helper(request), request.POST.copy()
(call
  function: (attribute
    object: (_) @method.object
    attribute: (identifier) @method.name)
  arguments: (argument_list) @method.args) @method.call

; Function calls: get_request_list(request.POST, 'k'), helper(request, …), f(*args, **kwargs),
; update_memberships(…), open(path, 'w'), logout(request), dict(request.POST)
(call
  function: (identifier) @function.name
  arguments: (argument_list) @function.args) @function.call

; request.POST['k'], and request.POST[name] for name in ('a', 'b')
(subscript
  value: [(attribute) (identifier)] @read.dict
  subscript: [(string) (identifier)] @read.key) @read.subscript

; 'k' in request.POST
(comparison_operator (string) [(attribute) (identifier)]) @comparison
; request.method == 'POST', request.method in ('GET', 'POST')
(comparison_operator (attribute attribute: (identifier)) [(string) (tuple) (list) (set)]) @comparison

; for k, v in request.POST.items(), for key in params, [v for k, v in d.items() if …]: every key
; of the dictionary is read, unless the loop matches keys by prefix
(for_statement
  right: [(call function: (attribute object: [(attribute) (identifier)] @all.dict)) (attribute) (identifier)] @all.iterable) @all
(for_in_clause
  right: [(call function: (attribute object: [(attribute) (identifier)] @all.dict)) (attribute) (identifier)] @all.iterable) @all

; data = request.POST, data = request.POST if … else request.GET, data = params (the copies,
; `request.POST.copy()`, `dict(request.POST)`, come from the call patterns)
(assignment
  left: (identifier) @alias.name
  right: [
    (attribute object: (identifier) attribute: (identifier))
    (identifier)
    (conditional_expression)
  ] @alias.value) @alias

; return JsonResponse(…), return helper(*args, **kwargs), return response, return {…}
(return_statement (_) @return.value) @return

; if not x: raise …, if x is None: raise …, if None in (x, y): raise …, if not all((x, y)): raise …:
; the function fails without what x was read from (the reader interprets the condition)
(if_statement
  condition: (_) @guard.condition
  consequence: (block (raise_statement))) @guard
