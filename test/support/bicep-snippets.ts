// Bicep that several tests' templates end with.

/**
 * A VNet whose one subnet, `compute` (10.0.1.0/24), uses the template's resource `nsg`, and an
 * AmlCompute cluster in that subnet with a public IP (so the NSG is in scope). The template must
 * declare `param location` and `resource nsg`; this ends with a newline.
 */
export const VNET_AND_COMPUTE = `resource vnet 'Microsoft.Network/virtualNetworks@2023-09-01' = {
  name: 'vnet'
  location: location
  properties: {
    addressSpace: { addressPrefixes: [ '10.0.0.0/16' ] }
    subnets: [ { name: 'compute', properties: { addressPrefix: '10.0.1.0/24', networkSecurityGroup: { id: nsg.id } } } ]
  }
}
resource ws 'Microsoft.MachineLearningServices/workspaces@2024-04-01' existing = { name: 'mlw' }
resource cluster 'Microsoft.MachineLearningServices/workspaces/computes@2024-04-01' = {
  parent: ws
  name: 'cluster'
  location: location
  properties: { computeType: 'AmlCompute', properties: { subnet: { id: vnet.properties.subnets[0].id }, enableNodePublicIp: true } }
}
`;
