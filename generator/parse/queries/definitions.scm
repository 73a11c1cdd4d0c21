; Module-level definitions and imports of a Python module (a CATMAID view module).
; Also under ERROR nodes: tree-sitter-python wraps Python 2 statements it cannot parse
; (`print x`, `except E, e:`) in ERROR, and the intact definitions around them are still wanted.
; The interpreter drops ERROR matches that sit inside a function or class.

(module (function_definition name: (identifier) @definition.function.name) @definition.function)
(module (decorated_definition definition: (function_definition name: (identifier) @definition.function.name) @definition.function))
(module (class_definition name: (identifier) @definition.class.name) @definition.class)
(module (decorated_definition definition: (class_definition name: (identifier) @definition.class.name) @definition.class))
(module (expression_statement (assignment left: (identifier) @definition.assignment.name)) @definition.assignment)
(module [(import_statement) (import_from_statement)] @import)
(module (try_statement body: (block [(import_statement) (import_from_statement)] @import)))
(module (if_statement consequence: (block [(import_statement) (import_from_statement)] @import)))

(ERROR (function_definition name: (identifier) @definition.function.name) @definition.function)
(ERROR (decorated_definition definition: (function_definition name: (identifier) @definition.function.name) @definition.function))
(ERROR (class_definition name: (identifier) @definition.class.name) @definition.class)
(ERROR (decorated_definition definition: (class_definition name: (identifier) @definition.class.name) @definition.class))
(ERROR (expression_statement (assignment left: (identifier) @definition.assignment.name)) @definition.assignment)
(ERROR [(import_statement) (import_from_statement)] @import)
