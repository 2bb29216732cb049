package client_test

import (
	"context"
	"fmt"
	"log"
	"time"

	"github.com/amqlab/amqlab/client"
)

// The article's check in code: put a message on queue test through the
// failover URL, and browse it. Run it again after stopping the master and
// the same message id comes from the other broker.
func Example() {
	ctx := context.Background()
	c, err := client.Dial(ctx, "failover:(stomp://127.0.0.1:61613,stomp://127.0.0.1:62613)?randomize=false", client.Options{
		Timeout: 30 * time.Second,
		OnEvent: func(e client.Event) { log.Print(e) }, // connected to stomp://127.0.0.1:61613
	})
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	if _, err := c.Send(ctx, "queue://test", []client.Message{{Body: []byte("hello")}}, client.SendOptions{Persistent: true}); err != nil {
		log.Fatal(err)
	}
	msgs, err := c.Browse(ctx, "queue://test")
	if err != nil {
		log.Fatal(err)
	}
	for _, m := range msgs {
		fmt.Println(m.Index, m.ID, m.Type)
	}
}

// A producer that must know which messages a broker confirmed, for
// example to check after a master crash that none of them was lost.
func ExampleSendOptions_onSent() {
	ctx := context.Background()
	c, err := client.Dial(ctx, "failover:(stomp://127.0.0.1:61613,stomp://127.0.0.1:62613)", client.Options{})
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	msgs := make([]client.Message, 1000)
	for i := range msgs {
		msgs[i] = client.Message{Body: client.TextBody(128), Headers: map[string]string{"seq": fmt.Sprint(i)}}
	}
	confirmed := make([]time.Time, len(msgs))
	res, err := c.Send(ctx, "queue://chaos", msgs, client.SendOptions{
		Persistent: true,
		OnSent:     func(s client.Sent) { confirmed[s.Index] = s.At },
	})
	fmt.Println(res.Sent, res.Resent, res.Failovers, err)
}
