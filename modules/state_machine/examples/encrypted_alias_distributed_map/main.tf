# A Distributed Map over the objects of an S3 prefix, encrypted with a customer managed key, published as
# versions behind a `live` alias. The role is derived from `integrations.s3`: GetObject + ListBucket on
# the manifest bucket, PutObject on the results bucket (ResultWriter), and the key for this machine.

module "state_machine" {
  source = "../.."

  name    = var.name
  publish = true
  alias   = { name = "live", description = "What callers start" }

  encryption = { kms_key_arn = var.kms_key_arn }

  definition = jsonencode({
    StartAt = "EachObject"
    States = {
      EachObject = {
        Type = "Map"
        ItemReader = {
          Resource   = "arn:aws:states:::s3:listObjectsV2"
          Parameters = { Bucket = element(split(":::", var.manifest_bucket_arn), 1), Prefix = "incoming/" }
        }
        ItemProcessor = {
          ProcessorConfig = { Mode = "DISTRIBUTED", ExecutionType = "STANDARD" }
          StartAt         = "Done"
          States          = { Done = { Type = "Pass", End = true } }
        }
        ResultWriter = {
          Resource   = "arn:aws:states:::s3:putObject"
          Parameters = { Bucket = element(split(":::", var.results_bucket_arn), 1), Prefix = "results/" }
        }
        End = true
      }
    }
  })

  integrations = {
    s3 = [
      { bucket_arn = var.manifest_bucket_arn, read = true, list = true },
      { bucket_arn = var.results_bucket_arn, read = false, write = true },
    ]
  }
}
