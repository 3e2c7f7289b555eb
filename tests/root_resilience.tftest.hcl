# Plan-level tests of the resilience wiring (issue 10): failure classification in the state machine,
# the throttling budget sized against the ingest burst, on-failure destinations and alarms on every
# async path, and the prefix-only uploads notification. The shared mocks give every queue and topic
# its own ARN, so the assertions can tell them apart.
mock_provider "aws" {
  source = "./tests/mocks"
}

variables {
  build_dir = "tests/fixtures/fake_build"
}

run "resilience_defaults" {
  command = apply

  # State machine: failures classified on purpose.
  assert {
    condition = alltrue([for name in ["ValidateInput", "GenerateThumbnail"] : (
      length(jsondecode(module.state_machine.state_machine_definition).States[name].Retry) == 3 &&
      !contains(jsondecode(module.state_machine.state_machine_definition).States[name].Retry[0].ErrorEquals, "Lambda.TooManyRequestsException") &&
      jsondecode(module.state_machine.state_machine_definition).States[name].Retry[1].ErrorEquals == ["Lambda.TooManyRequestsException"] &&
      jsondecode(module.state_machine.state_machine_definition).States[name].Retry[1].JitterStrategy == "FULL" &&
      jsondecode(module.state_machine.state_machine_definition).States[name].Retry[1].MaxDelaySeconds == 60 &&
      jsondecode(module.state_machine.state_machine_definition).States[name].Retry[1].MaxAttempts == 12 &&
      jsondecode(module.state_machine.state_machine_definition).States[name].Retry[2].ErrorEquals == ["Runtime.ExitError", "Lambda.Unknown", "Sandbox.Timedout"] &&
      jsondecode(module.state_machine.state_machine_definition).States[name].Retry[2].MaxAttempts == 3
    )])
    error_message = "ValidateInput and GenerateThumbnail: transient retry without throttling, a jittered capped throttling retry (12 x up to 60 s) and a bounded retry of crashed runtimes (3)."
  }
  assert {
    condition = alltrue(flatten([for name, st in jsondecode(module.state_machine.state_machine_definition).States : [
      for r in try(st.Retry, []) : !contains(r.ErrorEquals, "ValidationError") && (name == "HandleError" || !contains(r.ErrorEquals, "States.ALL"))
    ]]))
    error_message = "Permanent errors are never retried: no retrier (except HandleError's own publish) matches ValidationError or States.ALL."
  }
  assert {
    condition = alltrue([for name, st in jsondecode(module.state_machine.state_machine_definition).States :
      anytrue([for c in try(st.Catch, []) : contains(c.ErrorEquals, "States.ALL") && c.Next == "HandleError"])
      if st.Type == "Task" && name != "HandleError"
    ])
    error_message = "Every task state (NotifyComplete included) must catch States.ALL into HandleError."
  }
  assert {
    condition     = contains(jsondecode(module.state_machine.state_machine_definition).States.NotifyComplete.Retry[0].ErrorEquals, "SNS.ThrottledException")
    error_message = "NotifyComplete retries SNS throttling."
  }

  # Sizing: 5 x 10 executions through 20 thumbnails = 3 waves x 60 s = 180 s <= the expected 211.5 s.
  assert {
    condition = (
      terraform_data.pipeline_sizing.output.burst_executions == 50 &&
      terraform_data.pipeline_sizing.output.thumbnail_waves == 3 &&
      terraform_data.pipeline_sizing.output.wait_needed_seconds == 180 &&
      terraform_data.pipeline_sizing.output.expected_wait_seconds == 211.5
    )
    error_message = "Default sizing: burst 50, 3 waves, 180 s needed, 211.5 s expected throttling wait."
  }

  # Async paths: Lambda-level on-failure queues for EventBridge -> high_value_order and schedule -> daily_report.
  assert {
    condition = (
      local.async_invoke.high_value_order.on_failure_destination_arn == "arn:aws:sqs:us-east-1:123456789012:imgpipe-dev-high-value-failed" &&
      local.async_invoke.daily_report.on_failure_destination_arn == "arn:aws:sqs:us-east-1:123456789012:imgpipe-dev-daily-report-failed" &&
      local.async_invoke.notify.on_failure_destination_arn == "arn:aws:sqs:us-east-1:123456789012:imgpipe-dev-notify-dlq" &&
      alltrue([for k, v in local.async_invoke : v.maximum_retry_attempts == 2])
    )
    error_message = "notify, high_value_order and daily_report need bounded async retries and their own on-failure queue."
  }
  assert {
    condition = anytrue([for st in jsondecode(module.function["high_value_order"].execution_policy_json).Statement :
    contains(flatten([st.Action]), "sqs:SendMessage") && contains(flatten([st.Resource]), "arn:aws:sqs:us-east-1:123456789012:imgpipe-dev-high-value-failed")])
    error_message = "high_value_order's role must be allowed to send to its on-failure queue."
  }
  assert {
    condition     = local.daily_report_function.async_invoke.on_failure_destination_arn == "arn:aws:sqs:us-east-1:123456789012:imgpipe-dev-daily-report-failed"
    error_message = "daily_report (VPC or not) gets its on-failure queue."
  }
  assert {
    condition = alltrue([for q in ["high-value-failed", "daily-report-failed", "notify-dlq", "high-value-dlq", "stream-dlq", "image-ingest-dlq"] : (
      aws_cloudwatch_metric_alarm.dlq_depth[q].threshold == 0 &&
      aws_cloudwatch_metric_alarm.dlq_depth[q].comparison_operator == "GreaterThanThreshold" &&
      aws_cloudwatch_metric_alarm.dlq_depth[q].alarm_actions == toset(["arn:aws:sns:us-east-1:123456789012:imgpipe-dev-alarms"]) &&
      aws_cloudwatch_metric_alarm.dlq_depth[q].dimensions.QueueName == "imgpipe-dev-${q}"
    )])
    error_message = "Every DLQ and on-failure queue alarms to the alarms topic as soon as it holds a message."
  }
  assert {
    condition     = aws_sqs_queue.this["high-value-failed"].sqs_managed_sse_enabled == true && aws_sqs_queue.this["daily-report-failed"].sqs_managed_sse_enabled == true
    error_message = "On-failure queues are encrypted."
  }

  # Upper-case extensions trigger the pipeline: prefix-only notification, extensions checked by validate_input.
  assert {
    condition     = local.uploads_notification.filter_prefix == "uploads/" && !can(local.uploads_notification.filter_suffix)
    error_message = "The uploads notification must filter on the prefix only (S3 suffix filters are case-sensitive)."
  }
  assert {
    condition     = local.function_environment.validate_input.IMAGE_SUFFIXES == join(",", var.image_suffixes) && startswith(local.function_environment.validate_input.IMAGE_SUFFIXES, ".jpg,.jpeg,.png")
    error_message = "validate_input gets the accepted extensions as IMAGE_SUFFIXES."
  }
}

run "sizing_rejects_a_burst_the_throttling_budget_cannot_absorb" {
  command = plan

  # 20 x 10 = 200 executions through 20 thumbnails: 10 waves x 60 s = 600 s > 211.5 s.
  variables {
    ingest_maximum_concurrency = 20
  }
  expect_failures = [terraform_data.pipeline_sizing]
}

run "sizing_follows_thumbnail_concurrency" {
  command = plan

  # The same burst passes once thumbnail may run 100 at a time (2 waves x 60 s = 120 s).
  variables {
    ingest_maximum_concurrency = 20
    function_settings          = { thumbnail = { reserved_concurrency = 100 } }
  }
  assert {
    condition     = terraform_data.pipeline_sizing.input.thumbnail_waves == 2 && terraform_data.pipeline_sizing.input.wait_needed_seconds == 120
    error_message = "200 executions through 100 thumbnails: 2 waves."
  }
}

run "rejects_unbounded_crash_retries" {
  command = plan
  variables {
    pipeline_crash_max_attempts = 0
  }
  expect_failures = [var.pipeline_crash_max_attempts]
}

run "rejects_async_retries_lambda_does_not_allow" {
  command = plan
  variables {
    async_maximum_retry_attempts = 3
  }
  expect_failures = [var.async_maximum_retry_attempts]
}
