# Pipelines must use config version 2.1.
package org

import future.keywords

policy_name["config_version"]

enable_hard["require_version_2_1"]

require_version_2_1 = reason {
	not input.version == 2.1
	reason := "config must use version 2.1"
}
