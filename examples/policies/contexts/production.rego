# Only pipelines on main may use the aws-prod context.
package org

import future.keywords

policy_name["production_context"]

enable_hard["aws_prod_on_main_only"]

aws_prod_on_main_only = reason {
	some job in input.workflows[_].jobs
	"aws-prod" in job[_].context
	data.meta.vcs.branch != "main"
	reason := "the aws-prod context is for main only"
}
