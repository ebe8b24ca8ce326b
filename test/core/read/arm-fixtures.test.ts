import { armTemplateReader } from '../../../src/core/arm/arm-template-reader';
import { describeFixtures, findFixtures, findFolderFixtures, readExpectation } from './fixture-harness';

// Every ARM fixture of test/fixtures/templates with an `.expected.json` beside it.
describeFixtures('ARM template fixtures', [
  ...findFixtures('test/fixtures/templates', 'arm-*.json'),
  ...findFolderFixtures('test/fixtures/templates', 'arm-*'),
], [armTemplateReader]);

// examples/arm against the ARM NSG that examples/expected.json lists (the others are Bicep's).
describeFixtures('ARM example workspace', [{
  name: 'examples/arm',
  entry: 'examples/arm/azuredeploy.json',
  expected: readExpectation('examples/expected.json'),
  only: ['nsg-mlw-mlops-prod-training'],
}], [armTemplateReader]);
