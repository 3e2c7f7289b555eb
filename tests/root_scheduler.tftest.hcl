# Mocks shared with tests/root.tftest.hcl (type defaults, a distinct ARN per wired resource).
mock_provider "aws" {
  source = "./tests/mocks"
}

# The daily report's schedule (issue 12 item 2), plan level: the embedded LocalStack creates Scheduler
# schedules (the e2e deploy applies this) but does not fire them.

variables {
  build_dir = "tests/fixtures/fake_build"
}

run "report_on_scheduler_in_utc_by_default" {
  command = apply

  assert {
    condition = (
      length(module.daily_report_sources.schedule_arns) == 1 && length(module.daily_report_sources.eventbridge_rule_arns) == 0
      && output.report_schedule == { kind = "scheduler", name = "imgpipe-dev-daily-report", timezone = "Etc/UTC" }
      && output.report_schedule_rule_name == null
    )
    error_message = "By default daily_report runs on one EventBridge Scheduler schedule in Etc/UTC, without a rule."
  }
  assert {
    condition     = module.daily_report_sources.scheduler_role_arn != null
    error_message = "The schedule gets its own Scheduler execution role."
  }
}

run "report_schedule_in_a_local_zone" {
  command = plan

  variables {
    report_schedule_timezone   = "Europe/Berlin"
    report_schedule_expression = "cron(30 5 * * ? *)"
  }

  assert {
    condition     = output.report_schedule.timezone == "Europe/Berlin" && output.report_schedule.kind == "scheduler"
    error_message = "The report's zone is configurable."
  }
}

run "report_on_a_rule" {
  command = plan

  variables {
    report_schedule_kind = "rule"
  }

  assert {
    condition     = length(module.daily_report_sources.schedule_names) == 0 && output.report_schedule_rule_name == "imgpipe-dev-daily-report" && output.report_schedule.kind == "rule"
    error_message = "report_schedule_kind = rule keeps the EventBridge rule (and no schedule)."
  }
}

run "rejects_zone_on_a_rule" {
  command = plan

  variables {
    report_schedule_kind     = "rule"
    report_schedule_timezone = "Europe/Berlin"
  }

  expect_failures = [var.report_schedule_timezone]
}
