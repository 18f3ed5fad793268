set terminal png size 1100,700
set output 'timers-clustered.png'
set title 'Timers (clustered expiries): mean of start, cancel, expire'
set xlabel 'timers T'
set ylabel 'ns per timer per operation'
set logscale xy
set key outside right
set grid
plot 'data/timers-clustered-refloop-cxx_epoll.dat' using 1:2 with linespoints title 'refloop-cxx/epoll', \
     'data/timers-clustered-refloop-cxx_epoll-timerfd.dat' using 1:2 with linespoints title 'refloop-cxx/epoll-timerfd', \
     'data/timers-clustered-refloop-cxx_ppoll.dat' using 1:2 with linespoints title 'refloop-cxx/ppoll', \
     'data/timers-clustered-refloop-cxx_poll.dat' using 1:2 with linespoints title 'refloop-cxx/poll', \
     'data/timers-clustered-refloop-cxx_select.dat' using 1:2 with linespoints title 'refloop-cxx/select', \
     'data/timers-clustered-refloop-iv_epoll.dat' using 1:2 with linespoints title 'refloop-iv/epoll', \
     'data/timers-clustered-refloop-iv_epoll-timerfd.dat' using 1:2 with linespoints title 'refloop-iv/epoll-timerfd', \
     'data/timers-clustered-refloop-iv_ppoll.dat' using 1:2 with linespoints title 'refloop-iv/ppoll', \
     'data/timers-clustered-refloop-iv_poll.dat' using 1:2 with linespoints title 'refloop-iv/poll', \
     'data/timers-clustered-refloop-iv_select.dat' using 1:2 with linespoints title 'refloop-iv/select', \
     'data/timers-clustered-ivykis_epoll-timerfd.dat' using 1:2 with linespoints title 'ivykis/epoll-timerfd', \
     'data/timers-clustered-ivykis_epoll.dat' using 1:2 with linespoints title 'ivykis/epoll', \
     'data/timers-clustered-ivykis_ppoll.dat' using 1:2 with linespoints title 'ivykis/ppoll', \
     'data/timers-clustered-libev.dat' using 1:2 with linespoints title 'libev', \
     'data/timers-clustered-libevent.dat' using 1:2 with linespoints title 'libevent', \
     'data/timers-clustered-libuv.dat' using 1:2 with linespoints title 'libuv'
