set terminal png size 1100,700
set output 'io-eventfd-total-loops.png'
set title 'I/O chain, eventfd, event loops: setup + run (100 active, 100 writes)'
set xlabel 'channels N'
set ylabel 'total time (us)'
set logscale xy
set key outside right
set grid
plot 'data/io-eventfd-total-loops-refloop-cxx_epoll.dat' using 1:2 with linespoints title 'refloop-cxx/epoll', \
     'data/io-eventfd-total-loops-refloop-cxx_epoll-timerfd.dat' using 1:2 with linespoints title 'refloop-cxx/epoll-timerfd', \
     'data/io-eventfd-total-loops-refloop-cxx_ppoll.dat' using 1:2 with linespoints title 'refloop-cxx/ppoll', \
     'data/io-eventfd-total-loops-refloop-cxx_poll.dat' using 1:2 with linespoints title 'refloop-cxx/poll', \
     'data/io-eventfd-total-loops-refloop-cxx_select.dat' using 1:2 with linespoints title 'refloop-cxx/select', \
     'data/io-eventfd-total-loops-refloop-iv_epoll.dat' using 1:2 with linespoints title 'refloop-iv/epoll', \
     'data/io-eventfd-total-loops-refloop-iv_epoll-timerfd.dat' using 1:2 with linespoints title 'refloop-iv/epoll-timerfd', \
     'data/io-eventfd-total-loops-refloop-iv_ppoll.dat' using 1:2 with linespoints title 'refloop-iv/ppoll', \
     'data/io-eventfd-total-loops-refloop-iv_poll.dat' using 1:2 with linespoints title 'refloop-iv/poll', \
     'data/io-eventfd-total-loops-refloop-iv_select.dat' using 1:2 with linespoints title 'refloop-iv/select', \
     'data/io-eventfd-total-loops-ivykis_epoll-timerfd.dat' using 1:2 with linespoints title 'ivykis/epoll-timerfd', \
     'data/io-eventfd-total-loops-ivykis_epoll.dat' using 1:2 with linespoints title 'ivykis/epoll', \
     'data/io-eventfd-total-loops-ivykis_ppoll.dat' using 1:2 with linespoints title 'ivykis/ppoll', \
     'data/io-eventfd-total-loops-libev.dat' using 1:2 with linespoints title 'libev', \
     'data/io-eventfd-total-loops-libevent.dat' using 1:2 with linespoints title 'libevent', \
     'data/io-eventfd-total-loops-libuv.dat' using 1:2 with linespoints title 'libuv', \
     'data/io-eventfd-total-loops-raw-epoll.dat' using 1:2 with linespoints title 'raw-epoll', \
     'data/io-eventfd-total-loops-raw-poll.dat' using 1:2 with linespoints title 'raw-poll', \
     'data/io-eventfd-total-loops-raw-epoll-rearm.dat' using 1:2 with linespoints title 'raw-epoll-rearm', \
     'data/io-eventfd-total-loops-raw-poll-flags.dat' using 1:2 with linespoints title 'raw-poll-flags'
