"""No use of the API: nothing to report. expect-minimum: none"""

import json

print(json.dumps({"containers": []}))
