; Module-level definitions and imports of a Python module (a CATMAID view module). Run from the
; module node with maxStartDepth 1: every pattern starts at a statement of the module itself, none
; deeper. (Written without a `(module …)` parent: the same matches, and cheaper to compile and run.)

(function_definition name: (identifier) @definition.function.name) @definition.function
(decorated_definition definition: (function_definition name: (identifier) @definition.function.name) @definition.function)
(class_definition name: (identifier) @definition.class.name) @definition.class
(decorated_definition definition: (class_definition name: (identifier) @definition.class.name) @definition.class)
(expression_statement (assignment left: (identifier) @definition.assignment.name)) @definition.assignment
[(import_statement) (import_from_statement)] @import
(try_statement body: (block [(import_statement) (import_from_statement)] @import))
(if_statement consequence: (block [(import_statement) (import_from_statement)] @import))
