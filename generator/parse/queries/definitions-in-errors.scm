; The same definitions where tree-sitter-python wrapped statements in ERROR nodes (Python 2 code:
; `print x`, `except E, e:`): the intact definitions around them are still wanted. Run only on
; trees with errors; the reader drops matches that sit inside a function or class.

(ERROR (function_definition name: (identifier) @definition.function.name) @definition.function)
(ERROR (decorated_definition definition: (function_definition name: (identifier) @definition.function.name) @definition.function))
(ERROR (class_definition name: (identifier) @definition.class.name) @definition.class)
(ERROR (decorated_definition definition: (class_definition name: (identifier) @definition.class.name) @definition.class))
(ERROR (expression_statement (assignment left: (identifier) @definition.assignment.name)) @definition.assignment)
(ERROR [(import_statement) (import_from_statement)] @import)
