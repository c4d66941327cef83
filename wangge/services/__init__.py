"""Door-to-door service (上门服务) for households that cannot leave: requests, their time limits and delivery."""
