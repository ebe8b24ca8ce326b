using 'main.bicep'

// Contoso ML platform, dev subscription. Location comes from the resource group.
param prefix = 'contoso'
param vnetAddressPrefix = '10.40.0.0/16'
param computeSubnetPrefix = '10.40.0.0/24'
param privateEndpointSubnetPrefix = '10.40.1.0/24'
param noPublicIp = true
param hbiWorkspace = false
param maxNodes = 6
