# The QEMU suite's app asking for a capability no session holds (the serial console): the
# desktop must refuse to start it and say why (docs/desktop.md).
name Console Hog
icon !
program hello
pages 64
caps log console
