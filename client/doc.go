// Package client sends, browses and consumes messages through an ActiveMQ
// failover URL, the way the classic master-slave walkthrough proves that a
// slave took over: put a message on a queue, kill the master, browse again.
//
// Two drivers sit behind one small interface:
//
//   - the native driver speaks STOMP (on go-stomp's frame codec) and does its
//     own failover, because STOMP has none: it walks the broker list, backs
//     off between passes, keeps a window of sends awaiting receipts and
//     resends the unconfirmed ones after a reconnect (at-least-once);
//   - the openwire driver runs the ActiveMQ install's own Java client tools
//     (producer, browse, consumer of bin/activemq.jar), so messages travel
//     through ActiveMQ's real failover transport exactly as in the article.
//
// URLs use ActiveMQ's syntax, including the failover transport's option
// names; see ParseURL.
package client
