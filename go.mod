module github.com/amqlab/amqlab

go 1.26.8
