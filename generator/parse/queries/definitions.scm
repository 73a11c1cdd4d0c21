; Module-level definitions and imports of a Python module (a CATMAID view module). Run from the
; module node with maxStartDepth 0: every pattern starts at the root, none needs a deeper start.

(module (function_definition name: (identifier) @definition.function.name) @definition.function)
(module (decorated_definition definition: (function_definition name: (identifier) @definition.function.name) @definition.function))
(module (class_definition name: (identifier) @definition.class.name) @definition.class)
(module (decorated_definition definition: (class_definition name: (identifier) @definition.class.name) @definition.class))
(module (expression_statement (assignment left: (identifier) @definition.assignment.name)) @definition.assignment)
(module [(import_statement) (import_from_statement)] @import)
(module (try_statement body: (block [(import_statement) (import_from_statement)] @import)))
(module (if_statement consequence: (block [(import_statement) (import_from_statement)] @import)))
