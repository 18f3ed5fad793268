set terminal png size 1100,700
set output 'timers-spread.png'
set title 'Timers (spread expiries): mean of start, cancel, expire'
set xlabel 'timers T'
set ylabel 'ns per timer per operation'
set logscale xy
set key outside right
set grid
plot 'data/timers-spread-refloop-cxx_epoll.dat' using 1:2 with linespoints title 'refloop-cxx/epoll', \
     'data/timers-spread-refloop-cxx_epoll-timerfd.dat' using 1:2 with linespoints title 'refloop-cxx/epoll-timerfd', \
     'data/timers-spread-refloop-cxx_ppoll.dat' using 1:2 with linespoints title 'refloop-cxx/ppoll', \
     'data/timers-spread-refloop-cxx_poll.dat' using 1:2 with linespoints title 'refloop-cxx/poll', \
     'data/timers-spread-refloop-cxx_select.dat' using 1:2 with linespoints title 'refloop-cxx/select', \
     'data/timers-spread-refloop-iv_epoll.dat' using 1:2 with linespoints title 'refloop-iv/epoll', \
     'data/timers-spread-refloop-iv_epoll-timerfd.dat' using 1:2 with linespoints title 'refloop-iv/epoll-timerfd', \
     'data/timers-spread-refloop-iv_ppoll.dat' using 1:2 with linespoints title 'refloop-iv/ppoll', \
     'data/timers-spread-refloop-iv_poll.dat' using 1:2 with linespoints title 'refloop-iv/poll', \
     'data/timers-spread-refloop-iv_select.dat' using 1:2 with linespoints title 'refloop-iv/select', \
     'data/timers-spread-ivykis_epoll-timerfd.dat' using 1:2 with linespoints title 'ivykis/epoll-timerfd', \
     'data/timers-spread-ivykis_epoll.dat' using 1:2 with linespoints title 'ivykis/epoll', \
     'data/timers-spread-ivykis_ppoll.dat' using 1:2 with linespoints title 'ivykis/ppoll', \
     'data/timers-spread-libev.dat' using 1:2 with linespoints title 'libev', \
     'data/timers-spread-libevent.dat' using 1:2 with linespoints title 'libevent', \
     'data/timers-spread-libuv.dat' using 1:2 with linespoints title 'libuv'
