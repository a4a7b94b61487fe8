package app

import "testing"

// E2EE_MAX_MEMBERS reaches the actions' and the in-process configuration;
// unset it is 0 (the service's default, protocol.MaxEncryptedMembers).
func TestE2EEMaxMembersFromEnv(t *testing.T) {
	setEnv(t, fullEnv)
	if cfg, err := ActionsConfigFromEnv(); err != nil || cfg.E2EEMaxMembers != 0 {
		t.Errorf("unset: %d, %v", cfg.E2EEMaxMembers, err)
	}
	t.Setenv(EnvE2EEMaxMembers, "5")
	cfg, err := ActionsConfigFromEnv()
	if err != nil || cfg.E2EEMaxMembers != 5 {
		t.Errorf("actions: %d, %v", cfg.E2EEMaxMembers, err)
	}
	full, err := ConfigFromEnv()
	if err != nil || full.Connection().E2EEMaxMembers != 5 {
		t.Errorf("in process: %d, %v", full.Connection().E2EEMaxMembers, err)
	}
	t.Setenv(EnvE2EEMaxMembers, "many")
	if _, err := ActionsConfigFromEnv(); err == nil {
		t.Error("a malformed cap was accepted")
	}
}
