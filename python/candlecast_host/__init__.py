"""The host that runs strategies in the sandbox (private: strategies import the SDK, `candlecast`, never this)."""
