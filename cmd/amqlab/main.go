// Command amqlab builds, runs and breaks an ActiveMQ Classic master-slave lab.
package main

func main() {}
