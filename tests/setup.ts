import nock from "nock";

// Tests reach only this machine: the local engines and sandboxes on loopback.
nock.disableNetConnect();
nock.enableNetConnect(/^(127\.0\.0\.1|localhost)(:\d+)?$/);
