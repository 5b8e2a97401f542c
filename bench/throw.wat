;; throw.wat: what a wasm exception costs the engine, by how many frames it unwinds
;; (bench/throw.js). run(depth, n) throws n times from `depth` calls below a catch, the
;; way a Lua error unwinds from error() to luaD_rawrunprotected's catch in cu.wasm.
(module
  (tag $jump (param i32))
  (func $down (param $depth i32) (result i32)
    (if (i32.eqz (local.get $depth))
      (then (throw $jump (i32.const 1))))
    ;; the add after the call keeps it from being a tail call the engine could drop
    (i32.add (call $down (i32.sub (local.get $depth) (i32.const 1))) (i32.const 1)))
  (func (export "run") (param $depth i32) (param $n i32) (result i32)
    (local $caught i32)
    (block $done
      (loop $again
        (br_if $done (i32.eqz (local.get $n)))
        (local.set $n (i32.sub (local.get $n) (i32.const 1)))
        (try
          (do (drop (call $down (local.get $depth))))
          ;; the payload, 1, is on the stack: add it to the count
          (catch $jump (local.set $caught (i32.add (local.get $caught)))))
        (br $again)))
    (local.get $caught)))
