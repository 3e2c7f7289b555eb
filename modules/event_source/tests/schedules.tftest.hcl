# EventBridge Scheduler schedules: time zone, flexible window, retry policy, DLQ, key, and the execution
# role derived from the target (plan level: the embedded LocalStack stores schedules but never fires them).

mock_provider "aws" {
  mock_resource "aws_iam_role" {
    defaults = { arn = "arn:aws:iam::111122223333:role/demo-fn-scheduler" }
  }
}

variables {
  function_name = "demo-fn"
  function_arn  = "arn:aws:lambda:eu-west-1:111122223333:function:demo-fn"
  qualifier     = "live"
}

run "schedule_in_a_time_zone_with_window_retries_dlq_and_key" {
  command = apply

  variables {
    schedules = {
      daily = {
        schedule_expression          = "cron(0 6 * * ? *)"
        timezone                     = "Europe/Berlin"
        flexible_time_window_minutes = 15
        retry_policy                 = { maximum_retry_attempts = 3, maximum_event_age_in_seconds = 3600 }
        dead_letter_arn              = "arn:aws:sqs:eu-west-1:111122223333:report-dlq"
        kms_key_arn                  = "arn:aws:kms:eu-west-1:111122223333:key/11111111-2222-3333-4444-555555555555"
      }
    }
  }

  assert {
    condition = (
      aws_scheduler_schedule.this["daily"].name == "demo-fn-daily"
      && aws_scheduler_schedule.this["daily"].schedule_expression == "cron(0 6 * * ? *)"
      && aws_scheduler_schedule.this["daily"].schedule_expression_timezone == "Europe/Berlin"
      && aws_scheduler_schedule.this["daily"].kms_key_arn == "arn:aws:kms:eu-west-1:111122223333:key/11111111-2222-3333-4444-555555555555"
    )
    error_message = "schedule: expression, zone and key as given"
  }
  assert {
    condition     = aws_scheduler_schedule.this["daily"].flexible_time_window[0].mode == "FLEXIBLE" && aws_scheduler_schedule.this["daily"].flexible_time_window[0].maximum_window_in_minutes == 15
    error_message = "flexible window of 15 minutes"
  }
  assert {
    condition = (
      aws_scheduler_schedule.this["daily"].target[0].arn == "arn:aws:lambda:eu-west-1:111122223333:function:demo-fn:live"
      && aws_scheduler_schedule.this["daily"].target[0].role_arn == aws_iam_role.scheduler[0].arn
      && aws_scheduler_schedule.this["daily"].target[0].retry_policy[0].maximum_retry_attempts == 3
      && aws_scheduler_schedule.this["daily"].target[0].retry_policy[0].maximum_event_age_in_seconds == 3600
      && aws_scheduler_schedule.this["daily"].target[0].dead_letter_config[0].arn == "arn:aws:sqs:eu-west-1:111122223333:report-dlq"
    )
    error_message = "target: the alias, the module's role, the retry policy and the DLQ"
  }
  assert {
    condition     = jsondecode(aws_scheduler_schedule.this["daily"].target[0].input) == { source = "aws.scheduler", time = "<aws.scheduler.scheduled-time>" }
    error_message = "default input carries the scheduled time (the function reports relative to it)"
  }
  assert {
    condition     = strcontains(aws_scheduler_schedule.this["daily"].target[0].input, "\"<aws.scheduler.scheduled-time>\"")
    error_message = "the context attribute must appear verbatim (not JSON-escaped as \\u003c), or Scheduler does not substitute it"
  }
  assert {
    condition = jsondecode(aws_iam_role.scheduler[0].assume_role_policy).Statement[0].Principal.Service == "scheduler.amazonaws.com" && jsondecode(aws_iam_role.scheduler[0].assume_role_policy).Statement[0].Condition == {
      StringEquals = { "aws:SourceAccount" = "111122223333" }
    }
    error_message = "role trusted by scheduler.amazonaws.com of this account only"
  }
  assert {
    condition = jsondecode(aws_iam_role_policy.scheduler[0].policy).Statement == [
      { Sid = "InvokeTarget", Effect = "Allow", Action = ["lambda:InvokeFunction"], Resource = ["arn:aws:lambda:eu-west-1:111122223333:function:demo-fn:live"] },
      { Sid = "SendToDeadLetterQueues", Effect = "Allow", Action = ["sqs:SendMessage"], Resource = ["arn:aws:sqs:eu-west-1:111122223333:report-dlq"] },
      { Sid = "DecryptSchedules", Effect = "Allow", Action = ["kms:Decrypt"], Resource = ["arn:aws:kms:eu-west-1:111122223333:key/11111111-2222-3333-4444-555555555555"] },
    ]
    error_message = "role policy: exactly the target, the DLQ and the key"
  }
  assert {
    condition     = length(aws_lambda_permission.eventbridge) == 0 && length(aws_cloudwatch_event_rule.this) == 0
    error_message = "Scheduler uses its role: no rule, no lambda permission"
  }
}

run "defaults_utc_on_time_invoke_only" {
  command = plan

  variables {
    qualifier = null
    schedules = { hourly = { schedule_expression = "rate(1 hour)" } }
  }

  assert {
    condition     = aws_scheduler_schedule.this["hourly"].schedule_expression_timezone == "Etc/UTC" && aws_scheduler_schedule.this["hourly"].flexible_time_window[0].mode == "OFF"
    error_message = "defaults: Etc/UTC, no flexible window"
  }
  assert {
    condition     = jsondecode(aws_iam_role_policy.scheduler[0].policy).Statement == [{ Sid = "InvokeTarget", Effect = "Allow", Action = ["lambda:InvokeFunction"], Resource = ["arn:aws:lambda:eu-west-1:111122223333:function:demo-fn"] }]
    error_message = "without DLQ or key the role may only invoke the function"
  }
  assert {
    condition     = length(aws_scheduler_schedule.this["hourly"].target[0].dead_letter_config) == 0
    error_message = "no DLQ unless given"
  }
}

run "no_schedules_no_role" {
  command = plan

  assert {
    condition     = length(aws_iam_role.scheduler) == 0 && length(aws_scheduler_schedule.this) == 0 && output.scheduler_role_arn == null
    error_message = "no schedules: no role"
  }
}

run "rejects_bad_time_zone" {
  command = plan

  variables {
    schedules = { daily = { schedule_expression = "cron(0 6 * * ? *)", timezone = "Berlin time" } }
  }

  expect_failures = [var.schedules]
}

run "rejects_window_too_long" {
  command = plan

  variables {
    schedules = { daily = { schedule_expression = "cron(0 6 * * ? *)", flexible_time_window_minutes = 1441 } }
  }

  expect_failures = [var.schedules]
}

run "rejects_bad_expression" {
  command = plan

  variables {
    schedules = { daily = { schedule_expression = "every day" } }
  }

  expect_failures = [var.schedules]
}
