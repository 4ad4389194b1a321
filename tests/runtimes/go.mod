module kcollapse/tests/runtimes

go 1.19
