// Package demo runs the scripted workloads that the demo and the training
// scenarios drive against throwaway redis-server processes (started with
// internal/redisproc) and throwaway clusters. It writes only to servers it
// started itself, in their own temporary directories, on loopback.
package demo
