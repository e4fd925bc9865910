# The QEMU suite's app that ends at once (the program hello): the desktop sees it end.
name Hello
icon H
program hello
pages 64
caps log
