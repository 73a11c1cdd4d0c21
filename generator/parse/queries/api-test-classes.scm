; The classes of a CATMAID API test module, nested ones included, in document order: the same
; classes as the `@class` captures of api-tests.scm, without the statements, for the index of
; which test modules define which class (generator/parse/api-tests.ts).

(class_definition) @class
