// Importing the backend registers it: the suite then runs against the built package, as users get it.
import '@harrow/spawn-process'
import { defineConformanceSuite } from '@harrow/testing'

defineConformanceSuite('process')
