# sjlj_tag.S: a strong definition of the __c_longjmp exception tag that sjlj.c throws.
# It lives in its own file because clang refuses it in a unit built with -wasm-enable-sjlj.
.globl __c_longjmp
.tagtype __c_longjmp i32
__c_longjmp:
