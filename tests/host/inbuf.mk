# The UART driver's input ring (user/drivers/uart/inbuf.c): order, wrap-around, overflow.
HOST_TESTS += inbuf
inbuf_SRCS := user/drivers/uart/inbuf.c
